/** The user agent of a request, as people name their devices in the sessions and activity lists. */
/** A short human label for a user agent: "Firefox on Windows", "curl". */
export function deviceLabel(userAgent: string | null): string {
  if (!userAgent) return "Unknown device";
  const ua = userAgent;
  const tool = /^(curl|Wget|HTTPie|PostmanRuntime|python-requests|node|undici|axios|insomnia)\b/i.exec(ua);
  if (tool) return tool[1]!;
  const browser =
    (/Edg\//.test(ua) && "Edge") ||
    (/OPR\//.test(ua) && "Opera") ||
    (/Firefox\//.test(ua) && "Firefox") ||
    (/(Chrome|Chromium|HeadlessChrome)\//.test(ua) && "Chrome") ||
    (/Safari\//.test(ua) && "Safari") ||
    null;
  const os =
    (/Android/.test(ua) && "Android") ||
    (/(iPhone|iPad|iOS)/.test(ua) && "iOS") ||
    (/Windows/.test(ua) && "Windows") ||
    (/Mac OS X|Macintosh/.test(ua) && "macOS") ||
    (/Linux/.test(ua) && "Linux") ||
    null;
  if (browser && os) return `${browser} on ${os}`;
  return browser ?? os ?? ua.split(/[\s/]/)[0]!.slice(0, 40);
}
