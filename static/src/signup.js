// Sign-up: fill in the browser's time zone, so promises fall on the right days.
import './base.js';

const field = document.getElementById('time-zone');
if (field) {
  try {
    field.value = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch (err) {
    field.value = 'UTC';
  }
}
