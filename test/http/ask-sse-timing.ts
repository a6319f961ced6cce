// Reads a Server-Sent Events response as it arrives: the whole body, and when its first event came (ms after t0,
// a `performance.now()` time). Shared by the ask deadline test and the ask benchmark.
export async function readTimedSse(res: Response, t0: number): Promise<{ text: string; first: number; end: number }> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let first = -1;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    if (first < 0 && /^event: /m.test(text)) first = performance.now() - t0;
  }
  return { text, first, end: performance.now() - t0 };
}
