import{g as a}from"./chunk-XFOEDSZK.js";export{a as quickExit};
