// The workbook: one sheet per seed table, bold frozen header row with a filter, widths from the
// table model, wrapped text, dates as real spreadsheet dates showing the project's local time.

import ExcelJS from 'exceljs';
import { spreadsheetDate } from './time.ts';
import { type Cell, type Table, isPct, isTime } from './types.ts';

export interface XlsxMeta {
  title: string;
  now: Date;
  timezone: string;
}

const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EEF7' } };
const THIN: ExcelJS.Border = { style: 'thin', color: { argb: 'FFB7C3D6' } };

function value(c: Cell, tz: string): ExcelJS.CellValue {
  if (c === null) return null;
  if (typeof c === 'string' || typeof c === 'number') return c;
  if (isTime(c)) return spreadsheetDate(c.at, tz);
  if (isPct(c)) return c.pct / 100;
  return null;
}

export async function writeXlsx(tables: Table[], meta: XlsxMeta): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Groupflow 协作助手';
  wb.title = meta.title;
  wb.created = meta.now;
  wb.modified = meta.now;
  for (const t of tables) {
    const ws = wb.addWorksheet(t.name, { views: [{ state: 'frozen', xSplit: 0, ySplit: 1 }] });
    ws.columns = t.columns.map((c) => ({ header: c.header, width: c.width }));
    const header = ws.getRow(1);
    header.height = 22;
    header.eachCell((cell) => {
      cell.font = { bold: true };
      cell.fill = HEADER_FILL;
      cell.border = { bottom: THIN };
      cell.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
    });
    for (const r of t.rows) {
      const row = ws.addRow(r.map((c) => value(c, meta.timezone)));
      r.forEach((c, i) => {
        const cell = row.getCell(i + 1);
        cell.alignment = { vertical: 'top', wrapText: true };
        if (isTime(c)) cell.numFmt = 'yyyy-mm-dd hh:mm';
        else if (isPct(c)) cell.numFmt = '0%';
      });
    }
    ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: t.columns.length } };
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
