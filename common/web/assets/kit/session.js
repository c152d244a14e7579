// The kit's session: who is logged in (WhoAmI's answer, or null), and the
// two moments the console's entry module acts on: signed in, signed out.
// Screens never import the entry module; they tell it through events.

export let me = null;
export function setMe(user) {
  me = user;
}

// The user logged in: the entry module starts the console for them.
export function signedIn() {
  window.dispatchEvent(new CustomEvent('ntmis:signed-in'));
}

// The session ended (expired, or logged out elsewhere): back to the login
// page, with `message` shown there.
export function signedOut(message) {
  me = null;
  window.dispatchEvent(new CustomEvent('ntmis:signed-out', { detail: message }));
}
