import { ModulesContainer } from '@nestjs/core';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import type { GraphQLObjectType } from 'graphql';
import { ACCESS_RULE, type AccessRule } from '../../src/access/graphql/access.decorator';
import { type TestApp, bootTestApp } from './app.e2e-helpers';

/**
 * Every operation of the schema goes through the access step: each Query, Mutation and Subscription field of the
 * running app's schema is served by a resolver method marked @Access(sameName, …). An operation added without a
 * marker fails here (and is denied at run time). Reads the resolvers from Nest's container, so it sees every
 * capability module the AppModule imports, reconciliation's included.
 */

// @nestjs/graphql's metadata keys on resolver methods (graphql.constants.ts).
const RESOLVER_TYPE = 'graphql:resolver_type';
const RESOLVER_NAME = 'graphql:resolver_name';

interface RootResolver {
  readonly type: string;
  readonly field: string;
  readonly rule: AccessRule | undefined;
}

const rootResolvers = (container: ModulesContainer): RootResolver[] =>
  [...container.values()].flatMap((module) =>
    [...module.providers.values()].flatMap((wrapper) => {
      const instance: unknown = wrapper.instance;
      if (typeof instance !== 'object' || instance === null) {
        return [];
      }
      const prototype: object = Object.getPrototypeOf(instance) as object;
      return Object.getOwnPropertyNames(prototype).flatMap((key): RootResolver[] => {
        // The descriptor, not the property: reading a getter on a bare prototype would run it.
        const method: unknown = Object.getOwnPropertyDescriptor(prototype, key)?.value;
        if (typeof method !== 'function') {
          return [];
        }
        const type: unknown = Reflect.getMetadata(RESOLVER_TYPE, method);
        if (type !== 'Query' && type !== 'Mutation' && type !== 'Subscription') {
          return [];
        }
        const name: unknown = Reflect.getMetadata(RESOLVER_NAME, method);
        return [
          {
            type,
            field: typeof name === 'string' ? name : key,
            rule: Reflect.getMetadata(ACCESS_RULE, method) as AccessRule | undefined,
          },
        ];
      });
    }),
  );

describe('access coverage: every schema operation carries an @Access marker', () => {
  let t: TestApp;
  let fields: string[];
  let resolvers: RootResolver[];

  beforeAll(async () => {
    t = await bootTestApp();
    const { schema } = t.app.get(GraphQLSchemaHost);
    const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter(
      (root): root is GraphQLObjectType => root !== null && root !== undefined,
    );
    fields = roots.flatMap((root) => Object.keys(root.getFields()).map((field) => `${root.name}.${field}`)).sort();
    resolvers = rootResolvers(t.app.get(ModulesContainer));
  });

  afterAll(async () => {
    await t.close();
  });

  it('finds the operations (sanity: the scan sees the resolvers)', () => {
    expect(fields).toEqual(
      expect.arrayContaining([
        'Query.medicationList',
        'Mutation.startMedication',
        'Subscription.careUnitChanged',
        'Query.accessLog',
      ]),
    );
    expect(resolvers.map(({ type, field }) => `${type}.${field}`).sort()).toEqual(fields);
  });

  it('has a marker on every Query, Mutation and Subscription resolver, naming its own operation', () => {
    const unmarked = resolvers
      .filter(({ rule, field }) => rule?.operation !== field)
      .map(({ type, field }) => `${type}.${field}`);

    expect(unmarked).toEqual([]);
  });
});
