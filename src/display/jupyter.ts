/**
 * Rich output from inside a tslab kernel. tslab's public `display` sends one MIME
 * type per output; a figure needs several in one output, so this module uses the
 * function tslab itself publishes each output through (`lastWriteDisplayData` of
 * `tslab/dist/jupyter`, tslab 1.0.22, pinned in package.json). It looks that
 * module up in Node's require cache, so it always talks to the kernel that runs
 * the notebook, whichever copy of tslab that is.
 */

/** A Jupyter MIME bundle: MIME type → data (JSON types stay objects). */
export type MimeBundle = Record<string, unknown>;

type WriteDisplayData = (
  content: { data: MimeBundle; metadata: object; transient: { display_id?: string } },
  update: boolean,
) => void;

function kernelWriter(): WriteDisplayData | null {
  for (const [id, module] of Object.entries(require.cache)) {
    if (/[\\/]tslab[\\/]dist[\\/]jupyter\.js$/.test(id)) {
      const write = (module?.exports as { lastWriteDisplayData?: WriteDisplayData } | undefined)?.lastWriteDisplayData;
      if (typeof write === "function") return write;
    }
  }
  return null;
}

/** True when running inside a tslab kernel that can display rich output. */
export function inNotebook(): boolean {
  return kernelWriter() !== null;
}

/**
 * Sends one `display_data` output carrying every MIME type of `bundle`. With a
 * `displayId`, `update: true` replaces the output shown earlier under that id
 * (Jupyter's `update_display_data`). Outside a kernel it prints `text/plain`.
 */
export function displayBundle(bundle: MimeBundle, displayId?: string, update = false): void {
  const write = kernelWriter();
  if (write === null) {
    console.log(String(bundle["text/plain"] ?? ""));
    return;
  }
  write({ data: bundle, metadata: {}, transient: displayId ? { display_id: displayId } : {} }, update);
}
