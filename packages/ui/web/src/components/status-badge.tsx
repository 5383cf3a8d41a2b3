/** A state shown as words and a color (never color alone). */
export function StatusBadge({ state, title }: { state: string; title?: string }) {
  return (
    <span class={`badge badge-${state.replace(/[^a-z_]/g, '')}`} title={title}>
      {state}
    </span>
  );
}
