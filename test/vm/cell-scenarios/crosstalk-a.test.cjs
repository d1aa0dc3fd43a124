require('./lib/crosstalk.cjs').defineCrosstalk('crosstalk-a');
