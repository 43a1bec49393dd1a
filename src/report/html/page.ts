import { escapeHtml } from './escape.ts';
import { STYLE } from './index.ts';

/** A self-contained page in report.html's style that loads nothing and runs no script: for pages made of tables. */
export function tablePage(title: string, body: string, extraStyle = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}${extraStyle}</style>
</head>
<body>
${body}
</body>
</html>
`;
}
