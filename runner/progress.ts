/**
 * A one-line live progress display: redrawn in place on a terminal, one line
 * per finished step in a log (CI, a file), so that neither floods.
 */
export class ProgressLine {
  private readonly started = Date.now();
  private current = "";
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly out: NodeJS.WriteStream = process.stderr) {}

  private get live(): boolean {
    return Boolean(this.out.isTTY);
  }

  elapsed(): string {
    return `${((Date.now() - this.started) / 1000).toFixed(1)}s`;
  }

  /** Shows what is happening now; on a terminal it is redrawn every 200 ms. */
  show(render: () => string): void {
    if (!this.live) return;
    const draw = () => {
      const text = render().slice(0, (this.out.columns ?? 100) - 1);
      this.out.write(`\r\x1b[2K${text}`);
      this.current = text;
    };
    this.stopTimer();
    draw();
    this.timer = setInterval(draw, 200);
    this.timer.unref();
  }

  /** Records a finished step: a line of its own that stays. */
  log(line: string): void {
    this.stopTimer();
    if (this.live && this.current) this.out.write("\r\x1b[2K");
    this.current = "";
    this.out.write(line + "\n");
  }

  done(): void {
    this.stopTimer();
    if (this.live && this.current) this.out.write("\r\x1b[2K");
    this.current = "";
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
