import{g as a}from"./chunk-55E3DQ56.js";export{a as quickExit};
