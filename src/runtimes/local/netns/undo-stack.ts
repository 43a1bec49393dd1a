/**
 * What a netns run has created on the host (namespaces, veth pairs, iptables rules), as the steps that remove it,
 * newest first. A step is pushed just before the command that creates its object and dropped again if that command
 * fails, so a run interrupted at any point still knows everything that may exist. Stacks not yet unwound are
 * unwound synchronously when the process exits — an uncaught error, process.exit() after a second Ctrl-C — like
 * the work directories in work-dir.ts; only SIGKILL leaves something behind.
 */
export interface UndoStep {
  /** What it removes, for error messages: `namespace mtx-1a2b-sc-srv`. */
  label: string;
  remove(): Promise<void>;
  /** The same while the process exits: synchronous, never throws. */
  removeSync(): void;
  /** Whether the object still exists, asked when remove() failed (it may have gone with something else). */
  exists(): Promise<boolean>;
}

const pending = new Set<UndoStack>();
process.on('exit', () => {
  for (const stack of pending) stack.unwindSync();
});

export class UndoStack {
  private readonly steps: UndoStep[] = [];

  /** Records a step; returns a function that drops it again (when creating its object failed). */
  push(step: UndoStep): () => void {
    this.steps.push(step);
    pending.add(this);
    return () => this.drop(step);
  }

  private drop(step: UndoStep): void {
    const at = this.steps.lastIndexOf(step);
    if (at >= 0) this.steps.splice(at, 1);
  }

  /** Runs `create` with `step` recorded first; drops the step when `create` fails, and rethrows. */
  async create(step: UndoStep, create: () => Promise<unknown>): Promise<void> {
    const drop = this.push(step);
    try {
      await create();
    } catch (error) {
      drop();
      throw error;
    }
  }

  /**
   * Removes everything, newest first. A step stays recorded until its removal has finished, so a process exiting
   * in the middle (a second Ctrl-C) still removes it in the exit hook. A step that fails while its object still
   * exists stays recorded too (the exit hook tries it once more) and is reported in the error thrown after every
   * other step has run.
   */
  async unwind(): Promise<void> {
    const problems: string[] = [];
    for (let i = this.steps.length - 1; i >= 0; i--) {
      const step = this.steps[i];
      if (step === undefined) continue;
      try {
        await step.remove();
        this.drop(step);
      } catch (error) {
        if (await step.exists().catch(() => true)) {
          problems.push(`${step.label}: ${error instanceof Error ? error.message : String(error)}`);
        } else {
          this.drop(step);
        }
      }
    }
    if (this.steps.length === 0) pending.delete(this);
    if (problems.length > 0) throw new Error(`could not remove ${problems.join('; ')}`);
  }

  unwindSync(): void {
    while (this.steps.length > 0) this.steps.pop()!.removeSync();
    pending.delete(this);
  }
}
