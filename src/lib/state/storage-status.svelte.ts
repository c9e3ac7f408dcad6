import type { StorageProblem } from '../storage';

/** A storage problem shown to the user until dismissed. */
export interface StorageNotice {
  id: string;
  kind: StorageProblem['kind'];
  message: string;
}

/** What the user should know about storage: where things are kept, and what went wrong. */
export class StorageStatus {
  mode = $state<'indexeddb' | 'memory'>('indexeddb');
  notices = $state.raw<StorageNotice[]>([]);

  /** Records a problem; the same problem is shown once. */
  report = (problem: StorageProblem): void => {
    const id = problem.kind === 'corrupt' ? `corrupt:${problem.key}` : problem.kind;
    if (this.notices.some((n) => n.id === id)) return;
    this.notices = [...this.notices, { id, kind: problem.kind, message: problem.message }];
  };

  dismiss = (id: string): void => {
    this.notices = this.notices.filter((n) => n.id !== id);
  };
}
