/** What the functional check says about errors, and how it waits: bounded, with what it was waiting for. */

/**
 * The parts of a supabase-js, fetch or other error worth showing: the HTTP status (the error's, or the answer's
 * `status` when the client library gives it beside the error), codes, message, details (not a stack), hint, cause.
 */
export function describeError(error: unknown, status?: number): string {
  if (!(error instanceof Error) && (typeof error !== 'object' || error === null)) {
    return String(error);
  }
  const e = error as Record<string, unknown> & { cause?: unknown };
  const parts: string[] = [];
  const message = typeof e.message === 'string' && e.message ? e.message : (error instanceof Error ? error.name : JSON.stringify(error));
  const httpStatus = e.status ?? status;
  if (typeof httpStatus === 'number' && httpStatus > 0 && !message.includes(`HTTP ${httpStatus}`)) {
    parts.push(`HTTP ${httpStatus}`);
  }
  if (typeof e.code === 'string' && e.code) {
    parts.push(e.code);
  }
  parts.push(message);
  for (const key of ['details', 'hint'] as const) {
    const value = e[key];
    if (typeof value === 'string' && value && !/\n\s+at /.test(value) && !message.includes(value)) {
      parts.push(`${key}: ${value}`);
    }
  }
  const cause = (e.cause ?? e.originalError) as { code?: string; message?: string } | undefined;
  const because = cause && typeof cause === 'object' ? cause.message || cause.code : undefined;
  if (because && !message.includes(because)) {
    parts.push(`(${because})`);
  }
  return parts.join(' ');
}

/** What an error answer's body says: its code and message when it is JSON with them (GoTrue, postgres-meta, Storage), else the text. */
export function bodyMessage(text: string): string {
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    const message = body.msg ?? body.message ?? body.error_description ?? body.error;
    const code = body.error_code ?? (typeof body.code === 'string' ? body.code : undefined);
    if (typeof message === 'string') {
      return [code, message].filter((part) => typeof part === 'string' && part).join(' ');
    }
  } catch {
    // not JSON: the text as it came
  }
  return text;
}

/** A network error as a plain one: `no answer within <ms> ms` for the timeout, the cause (ECONNREFUSED...) spelled out. */
export function networkError(error: unknown, timeoutMs: number): unknown {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } } | undefined;
  if (e?.name === 'TimeoutError') {
    return new Error(`no answer within ${timeoutMs} ms`);
  }
  const because = e?.cause?.message || e?.cause?.code;
  return because && e?.name !== 'AbortError' ? new Error(`${e?.message ?? 'request failed'} (${because})`) : error;
}

/** Settles like `promise`, or rejects after `ms` with what was being waited for. */
export function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A promise with its resolve function outside. */
export function signal<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
