/**
 * What a long-running command (`vnet serve`, `vnet api`) waits on: SIGINT, SIGTERM, or the
 * caller's abort signal (tests stop a server in-process with it), whichever comes first.
 */
export function untilStopped(stop?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      stop?.removeEventListener('abort', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    if (stop?.aborted) done();
    else stop?.addEventListener('abort', done, { once: true });
  });
}
