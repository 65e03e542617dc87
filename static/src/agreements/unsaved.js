// When the document is full, what this person wrote stays on their device: offered as a text file to keep.
export function documentAsText(ydoc) {
  const root = ydoc.getMap('doc');
  const lines = [String(root.get('title') || ''), ''];
  for (const section of root.get('sections') || []) {
    lines.push(`## ${String(section.get('title') || '')}`);
    for (const item of section.get('items') || []) lines.push(`- ${String(item.get('text') || '')}`);
    lines.push('');
  }
  return lines.join('\n');
}

export class UnsavedOffer {
  constructor(node) {
    this.node = node;
    this.link = node ? node.querySelector('a') : null;
    this.url = null;
  }

  // Offer this device's copy of the whole document for download (replacing an earlier offer).
  show(ydoc) {
    if (!this.node) return;
    if (this.url) URL.revokeObjectURL(this.url);
    this.url = URL.createObjectURL(new Blob([documentAsText(ydoc)], { type: 'text/plain;charset=utf-8' }));
    this.link.href = this.url;
    this.node.hidden = false;
  }

  hide() {
    if (this.node) this.node.hidden = true;
  }
}
