// Runs the example app: `node --import tsx examples/login-app/server.ts` next to a running `npm start`.
// It reads the same variables an application of Scalekit's cloud reads.
import { createLoginApp } from "./app.js";

const port = Number(process.env.APP_PORT ?? 3000);
const environmentUrl = process.env.SCALEKIT_ENVIRONMENT_URL ?? "http://localhost:8080";
const clientId = process.env.SCALEKIT_CLIENT_ID, clientSecret = process.env.SCALEKIT_CLIENT_SECRET;
if (!clientId || !clientSecret) {
  console.error("Set SCALEKIT_CLIENT_ID and SCALEKIT_CLIENT_SECRET (the credentials `npm start` prints).");
  process.exit(1);
}
const baseUrl = process.env.APP_URL ?? `http://localhost:${port}`;
createLoginApp({ environmentUrl, clientId, clientSecret, publicClientId: process.env.SCALEKIT_PUBLIC_CLIENT_ID, baseUrl })
  .listen(port, "127.0.0.1", () => console.log(`Acme Notes (example) on ${baseUrl}, signing in through ${environmentUrl}`));
