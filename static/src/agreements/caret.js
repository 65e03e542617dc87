// Where a character index sits inside a <textarea> or <input>, measured with a hidden copy of the
// field that wraps text exactly as the field does. Used to draw the partner's caret.
const COPIED = [
  'boxSizing',
  'width',
  'borderTopWidth',
  'borderRightWidth',
  'borderBottomWidth',
  'borderLeftWidth',
  'borderStyle',
  'paddingTop',
  'paddingRight',
  'paddingBottom',
  'paddingLeft',
  'fontStyle',
  'fontVariant',
  'fontWeight',
  'fontStretch',
  'fontSize',
  'fontSizeAdjust',
  'lineHeight',
  'fontFamily',
  'textAlign',
  'textTransform',
  'textIndent',
  'letterSpacing',
  'wordSpacing',
  'tabSize',
  'overflowWrap',
  'wordBreak',
];

let mirror = null;

export function caretCoordinates(field, index) {
  if (!mirror) {
    mirror = document.createElement('div');
    mirror.setAttribute('aria-hidden', 'true');
    mirror.className = 'caret-mirror';
    document.body.appendChild(mirror);
  }
  const style = window.getComputedStyle(field);
  for (const name of COPIED) mirror.style[name] = style[name];
  const multiline = field.nodeName === 'TEXTAREA';
  mirror.style.whiteSpace = multiline ? 'pre-wrap' : 'pre';
  mirror.textContent = field.value.slice(0, index);
  const marker = document.createElement('span');
  marker.textContent = field.value.slice(index) || '.';
  mirror.appendChild(marker);
  const lineHeight = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.4;
  return {
    top: marker.offsetTop + parseFloat(style.borderTopWidth) - field.scrollTop,
    left: marker.offsetLeft + parseFloat(style.borderLeftWidth) - field.scrollLeft,
    height: lineHeight,
  };
}

// One partner's caret drawn over a field; `host` is the field's positioned wrapper.
export function drawCaret(host, field, index, { name, color }) {
  let caret = host.querySelector(':scope > .remote-caret');
  if (!caret) {
    caret = document.createElement('span');
    caret.className = 'remote-caret';
    caret.setAttribute('aria-hidden', 'true');
    const flag = document.createElement('span');
    flag.className = 'remote-caret-name';
    caret.appendChild(flag);
    host.appendChild(caret);
  }
  const at = caretCoordinates(field, Math.min(index, field.value.length));
  caret.style.setProperty('--partner-color', color);
  caret.style.top = `${field.offsetTop + at.top}px`;
  caret.style.left = `${field.offsetLeft + at.left}px`;
  caret.style.height = `${at.height}px`;
  caret.querySelector('.remote-caret-name').textContent = name;
}

export function clearCaret(host) {
  host.querySelector(':scope > .remote-caret')?.remove();
}
