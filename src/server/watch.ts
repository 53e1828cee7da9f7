/**
 * Calls back when a file changes, once per burst of changes (debounced). Watches the file's
 * directory, not the file: editors that save by writing a new file and renaming it over the
 * old one replace its inode, and a watch on the old inode would go quiet.
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';

export interface FileWatch {
  close(): void;
}

export function watchFile(file: string, debounceMs: number, onChange: () => void): FileWatch {
  const path = resolve(file);
  const name = basename(path);
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const fire = () => {
    timer = undefined;
    if (!closed) onChange();
  };
  const watcher: FSWatcher = watch(dirname(path), { persistent: false }, (_event, changed) => {
    // Some platforms do not say which file changed; then any change in the directory counts.
    if (changed !== null && changed.toString() !== name) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(fire, debounceMs);
  });
  // A watch can fail later (the directory is removed); the last good model stays served.
  watcher.on('error', () => undefined);
  return {
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      watcher.close();
    },
  };
}
