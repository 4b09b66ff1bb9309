func.func private @f() attributes {hdp.cfg = #hdp.config<shift = 17>}
