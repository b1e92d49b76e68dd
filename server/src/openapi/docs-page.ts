/** Where the API serves swagger-ui-dist's files and its own initializer (server/src/openapi/openapi.routes.ts). */
export const DOCS_ASSETS = "/docs/assets";
export const INITIALIZER = "docs-init.js";

/**
 * The /docs page: Swagger UI from files this API serves, no inline script or style (helmet's CSP
 * allows scripts from 'self' only) and nothing from another origin.
 */
export const DOCS_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Reelbase API</title>
    <link rel="stylesheet" href="${DOCS_ASSETS}/swagger-ui.css" />
    <link rel="icon" type="image/png" href="${DOCS_ASSETS}/favicon-32x32.png" sizes="32x32" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="${DOCS_ASSETS}/swagger-ui-bundle.js"></script>
    <script src="${DOCS_ASSETS}/swagger-ui-standalone-preset.js"></script>
    <script src="${DOCS_ASSETS}/${INITIALIZER}"></script>
  </body>
</html>
`;

/** Points Swagger UI at /openapi.json; no validator badge (it would call a service elsewhere). */
export const INITIALIZER_JS = `"use strict";
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "StandaloneLayout",
  });
});
`;
