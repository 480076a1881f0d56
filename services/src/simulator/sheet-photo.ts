import sharp from 'sharp';

/**
 * Generated "photos" of a C.Hasil sheet, for the simulator, the bench and the tests: the sheet's
 * lines as SVG text on paper-coloured ground, rendered by sharp, optionally with camera-like noise
 * (which is what makes a real phone photo weigh megabytes) and camera metadata. Made up, never real.
 */
export interface SheetPhotoOptions {
  title: string;
  lines: string[];
  width?: number;
  height?: number;
  format?: 'jpeg' | 'png' | 'webp';
  quality?: number;
  /** Standard deviation of the sensor-like noise (0 = none). */
  noise?: number;
  /** EXIF as a phone writes it: orientation, camera, and a GPS position. */
  exif?: { orientation?: number; gps?: boolean };
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function sheetSvg(width: number, height: number, title: string, lines: string[]): string {
  const size = Math.round(width / 34);
  const left = Math.round(width * 0.08);
  const rows = lines
    .map((line, i) => `<text x="${left}" y="${Math.round(height * 0.2 + i * size * 1.7)}" font-size="${size}" font-family="DejaVu Sans, sans-serif" fill="#1b1b1b">${escape(line)}</text>`)
    .join('');
  const rule = Array.from({ length: 14 }, (_, i) => {
    const y = Math.round(height * 0.2 + i * size * 1.7 + size * 0.5);
    return `<line x1="${left}" x2="${width - left}" y1="${y}" y2="${y}" stroke="#9aa" stroke-width="${Math.max(1, size / 14)}"/>`;
  }).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <rect width="100%" height="100%" fill="#f4f1e8" fill-opacity="0.82"/>
    <rect x="${left / 2}" y="${left / 2}" width="${width - left}" height="${height - left}" fill="none" stroke="#333" stroke-width="${Math.max(2, size / 8)}"/>
    <text x="${left}" y="${Math.round(height * 0.1)}" font-size="${Math.round(size * 1.5)}" font-weight="bold" font-family="DejaVu Sans, sans-serif">${escape(title)}</text>
    ${rule}${rows}
  </svg>`;
}

/** One generated photo of a sheet. */
export async function renderSheetPhoto(options: SheetPhotoOptions): Promise<Buffer> {
  const width = options.width ?? 1200;
  const height = options.height ?? Math.round(width * 1.414);
  const ground = options.noise
    ? sharp({ create: { width, height, channels: 3, background: '#e8e2d2', noise: { type: 'gaussian', mean: 200, sigma: options.noise } } })
    : sharp({ create: { width, height, channels: 3, background: '#e8e2d2' } });
  const base = await ground.png({ compressionLevel: 0 }).toBuffer();
  let image = sharp(base).composite([{ input: Buffer.from(sheetSvg(width, height, options.title, options.lines)) }]);
  if (options.exif) {
    image = image.withExif({
      IFD0: { Make: 'SimulasiPhone', Model: 'C.Hasil Cam', Software: 'suara-simulator' },
      ...(options.exif.gps ? { IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '1/1 52/1 3000/100', GPSLongitudeRef: 'E', GPSLongitude: '100/1 8/1 1200/100' } } : {}),
    });
    if (options.exif.orientation) image = image.withMetadata({ orientation: options.exif.orientation });
  }
  const quality = options.quality ?? 80;
  switch (options.format ?? 'jpeg') {
    case 'png':
      return image.png().toBuffer();
    case 'webp':
      return image.webp({ quality }).toBuffer();
    default:
      return image.jpeg({ quality }).toBuffer();
  }
}

/** The lines of a C.Hasil sheet for a form's numbers (the simulator's photo of what it submits). */
export function sheetLines(tpsCode: string, ballot: string, votes: Record<string, unknown>, valid: number, invalid: number): string[] {
  const lines = [`TPS ${tpsCode}   Surat suara ${ballot}`, 'SIMULASI — bukan formulir asli'];
  for (const [option, v] of Object.entries(votes).slice(0, 9)) {
    const n = typeof v === 'number' ? v : (v as { party?: number }).party ?? 0;
    lines.push(`Suara ${option} ........ ${n}`);
  }
  lines.push(`Suara sah ........ ${valid}`, `Suara tidak sah ........ ${invalid}`);
  return lines;
}
