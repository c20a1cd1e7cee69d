import type { RecordedEvent } from './event-store.port';

/*
 * Event schema evolution: a stored event is never rewritten; its shape is brought up to date when it is read.
 * Each event type has a current version (the one this build writes, and the only one deciders, projections and
 * mappers are written for) and one upcaster per older version, each lifting the data by one version. The catalogue
 * of the service's event types is src/event-schemas.ts; UpcastingEventStore applies it to every read of every
 * adapter. docs/events.md has the rule for changing an event.
 */

/**
 * Lifts the data of one event type from one version to the next. Pure, and total over what that version ever held:
 * it returns undefined for data that is not that version's shape (the event is then unreadable, never guessed).
 */
export type Upcaster = (data: unknown) => unknown;

export interface EventSchema {
  readonly type: string;
  /** the version this build writes and reads; 1 until the type's shape first changes */
  readonly current: number;
  /** `upcasters[v]` lifts version v to v + 1, for every v from 1 to current - 1 */
  readonly upcasters?: Readonly<Record<number, Upcaster>>;
}

/** An event this build cannot read: a known type in a version it does not know (a newer build's), or unparseable. */
export interface UnreadableEvent {
  readonly type: string;
  readonly schemaVersion: number;
  readonly position: bigint;
}

/**
 * The type an unreadable event is passed on with: one no build writes, so every consumer skips it as it skips
 * an unknown type (folds, projections), and the projector counts it under this name. Its revision and position stay,
 * so command handlers append after it and projector checkpoints move past it.
 */
export const unreadableType = (type: string, version: number): string => `${type}@v${version}`;

export class EventSchemas {
  private readonly byType = new Map<string, EventSchema>();

  /** Throws at start when a type is listed twice or an upcaster of its chain is missing. */
  constructor(schemas: readonly EventSchema[]) {
    for (const schema of schemas) {
      if (this.byType.has(schema.type)) {
        throw new TypeError(`event type ${schema.type} is listed twice in the event schemas`);
      }
      if (!Number.isInteger(schema.current) || schema.current < 1) {
        throw new TypeError(`event type ${schema.type}: the current version must be a whole number from 1`);
      }
      for (let version = 1; version < schema.current; version += 1) {
        if (schema.upcasters?.[version] === undefined) {
          throw new TypeError(`event type ${schema.type}: no upcaster from version ${version} to ${version + 1}`);
        }
      }
      this.byType.set(schema.type, schema);
    }
  }

  /** The version to write for `type` (1 for a type the catalogue does not list). */
  readonly versionOf = (type: string): number => this.byType.get(type)?.current ?? 1;

  /**
   * The event in its current shape: the same object when it already is (the hot path allocates nothing), a copy
   * with upcast data and the current schemaVersion when it was older, or, when this build cannot read it, a copy
   * whose type is `unreadableType(...)` and `onUnreadable` is called. Types the catalogue does not list pass as
   * they are: consumers skip unknown types already.
   */
  read(event: RecordedEvent, onUnreadable?: (event: UnreadableEvent) => void): RecordedEvent {
    const schema = this.byType.get(event.type);
    const stored = event.metadata.schemaVersion;
    if (schema === undefined || stored === schema.current) {
      return event;
    }
    const data =
      Number.isInteger(stored) && stored >= 1 && stored < schema.current
        ? this.lift(schema, stored, event.data)
        : undefined;
    if (data === undefined) {
      onUnreadable?.({ type: event.type, schemaVersion: stored, position: event.position });
      return { ...event, type: unreadableType(event.type, stored) };
    }
    return { ...event, data, metadata: { ...event.metadata, schemaVersion: schema.current } };
  }

  private lift(schema: EventSchema, from: number, data: unknown): unknown {
    let lifted = data;
    for (let version = from; version < schema.current && lifted !== undefined; version += 1) {
      try {
        lifted = schema.upcasters?.[version]?.(lifted);
      } catch {
        lifted = undefined; // an upcaster that throws on odd data makes the event unreadable, never the read fail
      }
    }
    return lifted;
  }
}
