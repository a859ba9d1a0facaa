"""Security tests, one module per item of the OWASP API Security Top 10 (2023) that applies.

Each test reproduces an attack on a server started by the tests (or on the CLI) and asserts
that it fails safely. Tests that must cover every endpoint read the server's OpenAPI document
(``_openapi.py``), so an endpoint added later is attacked too.

Items of the Top 10 that do not apply:

- API6 Unrestricted Access to Sensitive Business Flows: revintel offers no flow whose mass use
  harms the business (no purchase, booking, sign-up or messaging); its writes are imports and
  user administration, covered by API4 and API5.
- API7 Server Side Request Forgery: revintel makes no outbound request from user input; imports
  are uploaded files, never URLs to fetch.
- API9 Improper Inventory Management: one server serves one API version (``/api/v1``) whose
  OpenAPI document is generated from the code, with no older or debug endpoints beside it.
"""
