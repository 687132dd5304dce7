/**
 * One status line on standard error that redraws in place on a terminal (which migration, which
 * statement, elapsed time) and shows nothing when it is not a terminal. `log` lines go to
 * standard output, always.
 */
export class ProgressLine {
  private text = '';
  private since = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly write: (text: string) => void,
    private readonly live: boolean,
    private readonly out: (text: string) => void,
  ) {}

  /** Shows `text` followed by the time since `start()`. */
  update(text: string): void {
    if (!this.live) return;
    this.text = text;
    if (!this.timer) {
      this.timer = setInterval(() => this.draw(), 100);
      this.timer.unref();
    }
    this.draw();
  }

  start(): void {
    this.since = Date.now();
  }

  /** Clears the live line and prints a permanent one. */
  log(line: string): void {
    this.clear();
    this.out(line + '\n');
    if (this.text) this.draw();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.clear();
    this.text = '';
  }

  private draw(): void {
    if (!this.text) return;
    const seconds = ((Date.now() - this.since) / 1000).toFixed(1);
    const columns = process.stderr.columns || 100;
    const line = `${this.text} · ${seconds}s`;
    this.write(`\r\x1b[K${line.length > columns - 1 ? line.slice(0, columns - 2) + '…' : line}`);
  }

  private clear(): void {
    if (this.live && this.text) this.write('\r\x1b[K');
  }
}
