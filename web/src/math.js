// Math in question statements, rendered in the browser by KaTeX as MathML,
// which the browser lays out itself: no fonts, style sheets or inline
// styles to allow, so the pages' Content-Security-Policy stays strict.
//
// A statement carries its math as code spans holding the TeX with its
// delimiters (`$x$`, `$$x$$`, `\(x\)`, `\[x\]`), which is how an imported
// LaTeX statement's math arrives, and reads as TeX where this script does
// not run.
import katex from 'katex';

const DELIMITERS = [['$$', '$$', true], ['\\[', '\\]', true], ['$', '$', false], ['\\(', '\\)', false]];

function render(code) {
  const text = code.textContent;
  for (const [open, close, display] of DELIMITERS) {
    if (text.length > open.length + close.length && text.startsWith(open) && text.endsWith(close)) {
      const tex = text.slice(open.length, text.length - close.length);
      const math = document.createElement('span');
      math.className = display ? 'math display' : 'math';
      math.title = text;
      katex.render(tex, math, { output: 'mathml', displayMode: display, throwOnError: false });
      code.replaceWith(math);
      return;
    }
  }
}

document.querySelectorAll('.statement code').forEach((code) => {
  // Code blocks are code, whatever they hold.
  if (code.parentElement.tagName !== 'PRE') render(code);
});
