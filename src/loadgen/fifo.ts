/** A FIFO of numbers with O(1) amortised push and shift (Array.prototype.shift is O(n)). */
export class NumberQueue {
  private items: number[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(value: number): void {
    this.items.push(value);
  }

  peek(): number | undefined {
    return this.items[this.head];
  }

  shift(): number | undefined {
    if (this.head >= this.items.length) return undefined;
    const value = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return value;
  }
}
