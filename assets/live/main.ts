/**
 * The entry of the live widgets of the lecture pages (bundled by tools/build.mjs
 * into the site's assets/live/live.mjs). A page holds `<section class="l0-live"
 * data-widget="…">` elements (written by tools/site.mjs) and a loader that imports
 * this module and calls `mount` on each; when the import or `mount` fails, the
 * loader shows why in place of the widget.
 */
import { mountGatePipeline } from "./gatePipeline";
import { useBackend } from "./library";
import { mountTrainingDemo } from "./trainingDemo";

/** The widgets, by the name in `data-widget`. */
const WIDGETS: Record<string, (root: HTMLElement) => Promise<void>> = {
  "gate-pipeline": mountGatePipeline,
  "training-demo": mountTrainingDemo,
};

/**
 * Builds the widget that `root.dataset.widget` names inside `root`, on the
 * fastest tfjs backend the browser offers (wasm, whose files sit next to the
 * library's bundle), and marks `root` ready (`data-state="ready"`).
 */
export async function mount(root: HTMLElement): Promise<void> {
  const name = root.dataset.widget ?? "";
  const widget = WIDGETS[name];
  if (widget === undefined) throw new Error(`no live widget named ${JSON.stringify(name)}`);
  await useBackend();
  await widget(root);
  root.dataset.state = "ready";
}
