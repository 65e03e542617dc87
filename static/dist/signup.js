import"./chunk-55E3DQ56.js";var e=document.getElementById("time-zone");if(e)try{e.value=Intl.DateTimeFormat().resolvedOptions().timeZone||"UTC"}catch{e.value="UTC"}
