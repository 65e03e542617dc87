import"./chunk-GFLOLV6O.js";var e=document.getElementById("time-zone");if(e)try{e.value=Intl.DateTimeFormat().resolvedOptions().timeZone||"UTC"}catch{e.value="UTC"}
