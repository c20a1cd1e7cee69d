import { accessEventTypes } from './access/audit';
import { medicationListEventSchemas } from './medication-list/domain/medication-list.upcasters';
import { reconciliationEventTypes, reconciliationRunEventTypes } from './reconciliation/domain/reconciliation.events';
import { EventSchemas } from './shared/event-sourcing/event-schemas';
import type { EventStorePort } from './shared/event-sourcing/event-store.port';
import { UpcastingEventStore, type UpcastingOptions } from './shared/event-sourcing/upcasting.event-store';

/**
 * Every event type this service writes, with the version it writes now and the upcasters from older versions
 * (docs/events.md). The store adapters are wrapped with these on every read (UpcastingEventStore), and command
 * handlers write each event with `eventSchemas.versionOf(type)`.
 */
export const eventSchemas = new EventSchemas([
  ...medicationListEventSchemas,
  ...[...reconciliationEventTypes, ...reconciliationRunEventTypes, ...accessEventTypes].map((type) => ({
    type,
    current: 1,
  })),
]);

/** `store` with every read upcast by this service's event schemas: how the app and its tools read events. */
export const withEventSchemas = (
  store: EventStorePort,
  onUnreadable?: UpcastingOptions['onUnreadable'],
): EventStorePort => new UpcastingEventStore(store, { schemas: eventSchemas, onUnreadable });
