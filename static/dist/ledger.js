import"./chunk-VZJLPSRO.js";import"./chunk-55E3DQ56.js";
