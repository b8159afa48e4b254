import { Command } from "commander";
import { boardIds, loadBoard } from "../../manifest/manifest.js";

function mib(bytes: number): string {
  return bytes >= 1 << 20 ? `${bytes / (1 << 20)} MiB` : `${bytes / 1024} KiB`;
}

export function boardsCommand(): Command {
  return new Command("boards")
    .description("List the boards edgecl can run on (board/<id>.json)")
    .option("--json", "print one JSON object per board")
    .action((options: { json?: boolean }) => {
      const boards = boardIds().map(loadBoard);
      if (options.json) {
        for (const b of boards) console.log(JSON.stringify(b));
        return;
      }
      const header = ["board", "runtime", "transport", "linear memory", "flash", "accelerator", "name"];
      const rows = boards.map((b) => [
        b.id,
        b.runtime.kind + (b.runtime.simd ? "+simd" : ""),
        b.transport.kind,
        mib(b.memory.linearMemoryBytes),
        mib(b.memory.flashBytes),
        b.accelerator.present ? `${b.accelerator.rows}x${b.accelerator.cols} @ ${(b.accelerator.clockHz ?? 0) / 1e6} MHz` : "none",
        b.name,
      ]);
      const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
      for (const row of [header, ...rows]) console.log(row.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd());
    });
}
