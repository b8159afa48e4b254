#!/usr/bin/env node
import { main } from "../dist/host/cli/main.js";

process.exitCode = await main(process.argv);
