require('./lib/crosstalk.cjs').defineCrosstalk('crosstalk-b');
