<?php
define( 'DB_NAME', 'wordpress' );
define( 'DB_PASSWORD', 'vr6c9K8gvk3Y7m@9' );
define( 'AUTH_KEY', ']q6p/Wb1i8w),l)g~.{{:wyRE7ApCE1B2AbxrLlTls*5Gz1eB]GY<}t[sT{2dNjA' );
