import{h as a}from"./chunk-GFLOLV6O.js";export{a as quickExit};
