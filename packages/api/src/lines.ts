/** Splits a byte stream into text lines (without the newline), across chunk boundaries. */
export async function* textLines(body: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of body) {
    buffered += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      yield line.endsWith('\r') ? line.slice(0, -1) : line;
    }
  }
  buffered += decoder.decode();
  if (buffered.length > 0) yield buffered;
}

export interface SseMessage {
  event: string;
  data: string;
  id?: string;
}

/** Server-sent events (only what our server emits: id, event, data; comments skipped). */
export async function* sseMessages(body: AsyncIterable<Uint8Array>): AsyncGenerator<SseMessage> {
  let event = 'message';
  let data: string[] = [];
  let id: string | undefined;
  for await (const line of textLines(body)) {
    if (line === '') {
      if (data.length > 0) yield { event, data: data.join('\n'), ...(id !== undefined ? { id } : {}) };
      event = 'message';
      data = [];
      id = undefined;
      continue;
    }
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
    else if (field === 'id') id = value;
  }
}
