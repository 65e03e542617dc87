// Sign-up: fill in the browser's time zone, so promises fall on the right days.
const field = document.getElementById('time-zone');
if (field) {
  try {
    field.value = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch (err) {
    field.value = 'UTC';
  }
}
