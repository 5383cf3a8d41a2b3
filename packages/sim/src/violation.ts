/**
 * A broken safety property. Thrown by the checks inside a run and caught by
 * the simulation, which stops the run and reports it with its seed.
 */
export class SimViolation extends Error {
  constructor(
    readonly kind: string,
    message: string,
  ) {
    super(`${kind}: ${message}`);
    this.name = 'SimViolation';
  }
}
