// JSON requests to the agreements pages, with the CSRF token every state change needs.

// POST a JSON body; answers the server's JSON, or a calm error when the network is gone.
export async function postJson(url, body, csrf) {
  try {
    const response = await fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRFToken': csrf },
      body: JSON.stringify(body),
    });
    return await response.json();
  } catch {
    return { ok: false, error: { message: 'You seem to be offline. Please try again when you are back online.' } };
  }
}
