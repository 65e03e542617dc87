import"./chunk-HGFPMCXN.js";import"./chunk-XFOEDSZK.js";
