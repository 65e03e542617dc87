import"./chunk-G5DGF6X5.js";import"./chunk-GFLOLV6O.js";
