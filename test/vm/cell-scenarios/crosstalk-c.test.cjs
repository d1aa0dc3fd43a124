require('./lib/crosstalk.cjs').defineCrosstalk('crosstalk-c');
