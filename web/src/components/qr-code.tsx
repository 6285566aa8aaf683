import qrcode from 'qrcode-generator';
import { useMemo } from 'react';

interface QrMatrix {
  getModuleCount(): number;
  isDark(row: number, column: number): boolean;
}

/** A QR code drawn as one SVG path (black squares on white, with the standard quiet zone). */
export function QrCode({ value, size = 200, label }: { value: string; size?: number; label: string }) {
  const { path, count } = useMemo(() => {
    const qr = qrcode(0, 'M');
    qr.addData(value);
    qr.make();
    const matrix = qr as unknown as QrMatrix;
    const modules = matrix.getModuleCount();
    let d = '';
    for (let row = 0; row < modules; row++) {
      for (let column = 0; column < modules; column++) {
        if (matrix.isDark(row, column)) d += `M${column + 4},${row + 4}h1v1h-1z`;
      }
    }
    return { path: d, count: modules + 8 };
  }, [value]);
  return (
    <svg
      role="img"
      aria-label={label}
      width={size}
      height={size}
      viewBox={`0 0 ${count} ${count}`}
      shapeRendering="crispEdges"
      data-testid="qr-code"
    >
      <rect width={count} height={count} fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  );
}
