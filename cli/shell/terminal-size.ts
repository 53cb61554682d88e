/** The terminal's size, kept current as it is resized. */
import { useStdout } from "ink";
import { useEffect, useState } from "react";

/**
 * Columns and rows of ink's output stream, re-read on every resize
 * (80x24 when it is not a terminal).
 * @example const { columns, rows } = useTerminalSize();
 */
export function useTerminalSize(): { columns: number; rows: number } {
  const { stdout } = useStdout();
  const read = () => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = () => setSize(read());
    stdout.on("resize", onResize);
    return () => {
      stdout.off("resize", onResize);
    };
  }, [stdout]);
  return size;
}
