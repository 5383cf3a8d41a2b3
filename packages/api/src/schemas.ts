/**
 * Request schemas of every route. They validate requests (TypeBox compiler)
 * and feed the OpenAPI document, so the two cannot drift apart. Responses are
 * documented, not filtered: the domain objects pass through as the backend
 * returns them.
 */
import { Type } from '@sinclair/typebox';
import { ServiceSpecSchema } from '@shoal/types';

export { ServiceSpecSchema };

export const NameParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 200, description: 'Service name or id' }) });
export const NodeParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200, description: 'Node id or name' }) });
export const TaskParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200, description: 'Task id' }) });

export const UpdateBody = Type.Object(
  {
    spec: ServiceSpecSchema,
    dryRun: Type.Optional(Type.Boolean({ description: 'Return the plan without committing anything' })),
  },
  { additionalProperties: false },
);

/** UpdateBody with the spec left to validateServiceSpec (see validation.ts). */
export const UpdateEnvelope = Type.Object(
  { spec: Type.Unknown(), dryRun: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);

export const ScaleBody = Type.Object({ replicas: Type.Integer({ minimum: 0, maximum: 100000 }) }, { additionalProperties: false });

export const RollbackQuery = Type.Object(
  { toVersion: Type.Optional(Type.Integer({ minimum: 1, description: 'A kept version to restore (see /history); default: the previous one' })) },
  { additionalProperties: false },
);

export const AvailabilityBody = Type.Object(
  {
    availability: Type.Union([Type.Literal('active'), Type.Literal('pause'), Type.Literal('drain')]),
    deadlineMs: Type.Optional(
      Type.Integer({ minimum: 1000, maximum: 7 * 24 * 3600 * 1000, description: 'drain only: move tasks start-first, stop those not moved after this long (ms)' }),
    ),
  },
  { additionalProperties: false },
);

const LabelKey = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.\\-/]{0,127}$', description: 'Label key' });

export const NodeLabelsBody = Type.Object(
  {
    add: Type.Optional(Type.Record(LabelKey, Type.String({ maxLength: 256 }), { description: 'Labels to set' })),
    remove: Type.Optional(Type.Array(LabelKey, { maxItems: 256, description: 'Label keys to remove' })),
  },
  { additionalProperties: false },
);

export const RemoveNodeQuery = Type.Object(
  { force: Type.Optional(Type.Boolean({ description: 'Remove even if the node is still up' })) },
  { additionalProperties: false },
);

export const TasksQuery = Type.Object(
  {
    service: Type.Optional(Type.String({ minLength: 1 })),
    node: Type.Optional(Type.String({ minLength: 1 })),
    all: Type.Optional(Type.Boolean({ description: 'Include finished tasks' })),
  },
  { additionalProperties: false },
);

export const LogsQuery = Type.Object(
  {
    follow: Type.Optional(Type.Boolean()),
    tail: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000000 })),
  },
  { additionalProperties: false },
);

export const ErrorBody = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  }),
});
