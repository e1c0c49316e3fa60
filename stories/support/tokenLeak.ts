// Three base64url segments starting with an encoded `{"`: what every JWT looks like.
const JWT_PATTERN = /eyJ[\w-]{6,}\.[\w-]+\.[\w-]+/;

/**
 * Throws if a token is anywhere in the page: in text, in an attribute, in an input's value.
 * Run after every story; the demo may only ever show fingerprints.
 */
export function assertNoTokenInPage(root: HTMLElement, knownTokens: readonly string[]) {
  const inputs = Array.from(root.querySelectorAll('input'), (input) => input.value);
  const haystack = [root.innerHTML, root.innerText, ...inputs].join('\n');
  if (JWT_PATTERN.test(haystack)) throw new Error('A JWT-shaped token is visible on the page.');
  for (const token of knownTokens) {
    if (token && haystack.includes(token)) throw new Error('The access token is visible on the page.');
  }
}
