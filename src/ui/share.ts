/** Links and downloads, shared by the share bar, the QR dialog, the replay, the replication and Find the LR. */
import { type Audience, linkFor } from "../experiment/url";

/** 127.0.0.1, localhost, ::1: an address no student's device can open. */
export const isLoopback = (host: string): boolean =>
  host === "localhost" || host === "[::1]" || host === "::1" || /^127\./.test(host);

/** The address this page was opened at (any host, any sub-path), with the experiment for an audience. */
export const shareUrl = (experiment: Parameters<typeof linkFor>[0], audience: Audience): string =>
  `${location.origin}${location.pathname}?${linkFor(experiment, audience)}`;

export function download(name: string, data: Blob) {
  const url = URL.createObjectURL(data);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
