// See global-setup.js.
module.exports = require('./global-setup').teardown;
