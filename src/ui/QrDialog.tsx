/**
 * The current experiment's students' link as a QR code, big enough to scan from the back of a room: the
 * teacher shows it on the projector, students open the same experiment on their laptops or phones. The QR
 * encoder (the `qrcode` package) loads only when the dialog opens.
 */
import { useEffect, useState } from "react";
import { useLab } from "./context";
import { isLoopback, shareUrl } from "./share";
import { useModal } from "./useModal";

export function QrDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const ref = useModal(open);
  const experiment = useLab((s) => s.experiment);
  const [img, setImg] = useState<{ url: string; src: string } | { url: string; error: string } | null>(null);
  const url = open ? shareUrl(experiment, "students") : "";
  useEffect(() => {
    if (!url) return;
    let live = true;
    import("qrcode")
      .then((q) => q.toDataURL(url, { errorCorrectionLevel: "L", margin: 2, width: 640 }))
      .then(
        (src) => live && setImg({ url, src }),
        (e) => live && setImg({ url, error: (e as Error).message }),
      );
    return () => {
      live = false;
    };
  }, [url]);
  return (
    <dialog ref={ref} className="qr-dialog" aria-label="Link as QR code" onClose={onClose}>
      <h2>Scan to open this experiment</h2>
      {img && img.url === url && "src" in img ? (
        <img src={img.src} alt="QR code of the link to this experiment" width={480} height={480} />
      ) : img && "error" in img ? (
        <p role="alert">This link is too long for a QR code ({img.error}).</p>
      ) : (
        <p>Drawing the code…</p>
      )}
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable box must be reachable by keyboard */}
      <p className="qr-url" tabIndex={0}>
        {url}
      </p>
      {open && isLoopback(location.hostname) ? (
        <p role="alert">
          This address opens only on this computer. For a class, start LR Lab with{" "}
          <code>npm start -- --lan</code> and open it at the address that prints.
        </p>
      ) : null}
      <p className="muted">The students' link: no presenter mode, no autoplay.</p>
      <button type="button" onClick={onClose}>
        Close
      </button>
    </dialog>
  );
}
