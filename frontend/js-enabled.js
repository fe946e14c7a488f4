// GOV.UK Frontend styles components differently once it knows JavaScript runs. Loaded as a file,
// not inline, so the Content-Security-Policy can forbid inline script.
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
