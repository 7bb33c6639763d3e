// Demo service of Seawall's test image; only its dependencies matter.
const express = require("express");
const app = express();
app.get("/", (req, res) => res.send("ok"));
app.listen(8080);
