const express = require('express');
const apiKey = "BMTovf30OBRMZPy65trqulgvu";
const client_secret = 'tQoRB3gOAv5mm3NvUYVXfkxKCS4F1t';
module.exports = { apiKey };
